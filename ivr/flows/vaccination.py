# Rules: the vaccination lookup reads the caller's own next appointment; a caller with none
# (or a withheld number) may type another number (a relative's), read back first. An
# appointment is said as its time slot, its day (city time) and its site. A site is free
# text in the appointments file; it is said by its own
# recorded name, prompt site-<slug of the name> (lowercase ascii, digits, dashes), when that
# sound file is in the sounds folder in the caller's language; else by the district its
# name mentions (district-<slug>, in the catalog); else not at all (the date and time still
# are). Recording a site's name is dropping prompts/sounds/<lang>/site-<slug>.wav in place:
# `hotline appointments import` prints the ids still missing.
"""The `vaccination` route, and how an appointment and its site are said."""

from __future__ import annotations

from pathlib import Path

from ivr import speech
from ivr.catalog import load_catalog
from ivr.channel import Channel
from ivr.flows.lookups import CITY_ZONE, typed_phone
from ivr.flows.notice import district_slug
from ivr.flows.records import AppointmentSlot, Records, caller_e164

SITE_PREFIX = "site-"
MAX_ID = 80


async def vaccination(channel: Channel) -> None:
    records = Records.of(channel)
    own = caller_e164(channel.callerid)
    slot = await records.run(records.next_appointment, own) if own else None
    if slot is None:
        if (phone := await typed_phone(channel, "vaccination-enter-phone")) is None:
            return
        slot = await records.run(records.next_appointment, phone)
    if slot is None:
        await channel.play(["vaccination-none"])
        return
    await channel.play([*appointment_prompts(slot, channel, "vaccination-found"), "reminder-bring"])


def appointment_prompts(slot: AppointmentSlot, channel: Channel, intro: str) -> list[str]:
    """intro, "from 8:00 to 9:00 on <day>", "at <site>" (when the site can be said)."""
    start = slot.slot_start.astimezone(CITY_ZONE).replace(second=0, microsecond=0)
    end = slot.slot_end.astimezone(CITY_ZONE).replace(second=0, microsecond=0)
    site = site_prompts(slot.site, channel.sounds_dir, channel.lang)
    return [
        intro,
        *speech.range_prompts(start, end, channel.lang),
        *(["appointment-site", *site] if site else []),
    ]


def site_prompt_id(site: str) -> str:
    """'Trạm Y tế phường Hòa Cường Bắc' -> 'site-tram-y-te-phuong-hoa-cuong-bac'."""
    slug = district_slug(site)  # no diacritics, dashes; drops a leading quận/huyện only
    return (SITE_PREFIX + slug)[:MAX_ID].rstrip("-")


def site_prompts(site: str, sounds_dir: str, lang: str) -> list[str]:
    """The prompt(s) naming the site, or [] when nothing fits."""
    own = site_prompt_id(site)
    if own != SITE_PREFIX.rstrip("-") and recorded(sounds_dir, lang, own):
        return [own]
    district = district_of(site)
    return [district] if district else []


def recorded(sounds_dir: str, lang: str, prompt_id: str) -> bool:
    folder = Path(sounds_dir) / lang
    return any(folder.glob(f"{prompt_id}.*"))


def district_of(site: str) -> str | None:
    """The catalog's district prompt whose name the site's name contains."""
    words = f"-{district_slug(site)}-"
    for prompt_id in sorted(load_catalog().ids):
        if prompt_id.startswith("district-") and f"-{prompt_id[9:]}-" in words:
            return prompt_id
    return None


def missing_site_prompts(sites: list[str], sounds_dir: str, langs=("vi", "en")) -> list[str]:
    """Site prompt ids with no recording in some language, in order, once each."""
    out: list[str] = []
    for site in sites:
        pid = site_prompt_id(site)
        if pid not in out and not all(recorded(sounds_dir, lang, pid) for lang in langs):
            out.append(pid)
    return out
