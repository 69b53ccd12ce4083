"""Every built-in indexer, in the order the engine asks them per source kind.

Imported only when indexers are first needed, so ``import pocketmind`` stays
fast. Order matters where formats share a suffix (``.json``, ``.txt``):
the specific sniffers come before the general ones.
"""

from __future__ import annotations


def all_indexers() -> list:
    from .calendar import HolidayCnJsonIndexer, IcsIndexer
    from .contacts import JCardIndexer, VCardIndexer, XCardIndexer
    from .discord import DiscordIndexer
    from .imessage import IMessageIndexer
    from .notes import note_indexers
    from .photos import PhotosIndexer
    from .slack import SlackIndexer
    from .sms import SmsIndexer
    from .social import InstagramIndexer, MessengerIndexer, SignalIndexer
    from .telegram import TelegramIndexer
    from .whatsapp import WhatsAppIndexer

    return [
        *note_indexers(),
        WhatsAppIndexer(),
        TelegramIndexer(),
        SmsIndexer(),
        IMessageIndexer(),
        DiscordIndexer(),
        SlackIndexer(),
        InstagramIndexer(),
        MessengerIndexer(),
        SignalIndexer(),
        PhotosIndexer(),
        IcsIndexer(),
        HolidayCnJsonIndexer(),
        VCardIndexer(),
        JCardIndexer(),
        XCardIndexer(),
    ]
