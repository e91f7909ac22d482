"""Seeded synthesis of plausible hashtag-chat transcripts. Pure: no I/O.

A weekly "Twitter chat" has a recognisable shape: the host welcomes people, participants
introduce themselves, the host posts Q1…Q5 roughly every ten minutes, people answer "A1: …"
(or "a1 -", "A1.", "A2/A3: …", or simply reply to the question), others reply to the answers,
quote them, "+1" them, and the host closes with thanks and next week's topic.

The demo community in ``data/`` mixes hand-written answers with volume from here, and the
benchmark uses `synthesise_episode_messages` to build large archives. Everything takes a
``random.Random`` so the same seed always gives the same transcript.

Example::

    rng = random.Random(7)
    people = invent_participants(rng, 60)
    msgs = synthesise_episode_messages(
        rng,
        starts_at=dt.datetime(2026, 1, 8, 19, tzinfo=ZoneInfo("America/New_York")),
        questions=["Q1: …", "Q2: …"],
        hosts=[Participant("@maya_okafor", "Maya Okafor")],
        participants=people,
        count=250,
    )
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from generator.archive.model import Media, Message, Platform

__all__ = [
    "Participant",
    "add_chatter",
    "answer_prefix",
    "extract_entities",
    "invent_participants",
    "make_message",
    "message_id",
    "permalink_for",
    "sprinkle_edits_and_deletions",
    "synthesise_episode_messages",
    "synthesise_intros",
]

# X ids are "snowflakes": milliseconds since this epoch, shifted left by 22 bits of machine and
# sequence number. Mastodon ids are milliseconds since the Unix epoch shifted left by 16 bits.
# Both therefore sort by time, which importers and tests may rely on.
X_EPOCH_MS = 1288834974657


@dataclass(frozen=True)
class Participant:
    """Someone who posts: a handle as the platform shows it, a display name, a platform."""

    handle: str
    name: str = ""
    platform: Platform = "x"


# --- ids, permalinks, entities -------------------------------------------------------------


def message_id(rng: random.Random, at: dt.datetime, platform: Platform) -> str:
    """A realistic, time-ordered id for a message posted at `at`."""
    # Posts carry whole seconds; the id adds the milliseconds the platform would have seen.
    ms = int(at.timestamp()) * 1000 + rng.randrange(1000)
    if platform == "x":
        return str(((ms - X_EPOCH_MS) << 22) | rng.getrandbits(22))
    if platform == "mastodon":
        return str((ms << 16) | rng.getrandbits(16))
    return f"{ms}{rng.getrandbits(16):05d}"


def permalink_for(platform: Platform, handle: str, msg_id: str) -> str | None:
    """The public URL of a post, as the platform would show it."""
    if platform == "x":
        return f"https://x.com/{handle.lstrip('@')}/status/{msg_id}"
    if platform == "mastodon":
        user, _, instance = handle.lstrip("@").partition("@")
        return f"https://{instance or 'mastodon.social'}/@{user}/{msg_id}"
    return None


_LINK = re.compile(r"https?://[^\s<>\"')]+")
_HASHTAG = re.compile(r"(?<![\w/#&])#(\w+)")
_MENTION = re.compile(r"(?<![\w/])@\w+(?:@[\w-]+(?:\.[\w-]+)+)?")


def extract_entities(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(mentions, hashtags, links) found in `text`, each in order of appearance, no repeats."""
    links = [m.rstrip(".,!?;:") for m in _LINK.findall(text)]
    bare = _LINK.sub(" ", text)
    mentions = _MENTION.findall(bare)
    hashtags = _HASHTAG.findall(bare)
    return _unique(mentions), _unique(hashtags), _unique(links)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def make_message(
    rng: random.Random,
    *,
    author: Participant,
    at: dt.datetime,
    text: str,
    reply_to: str | None = None,
    quote_of: str | None = None,
    media: Sequence[Media] = (),
    likes: int = 0,
    edited_at: dt.datetime | None = None,
) -> Message:
    """A Message with id, permalink, mentions, hashtags and links filled in from the text."""
    mentions, hashtags, links = extract_entities(text)
    msg_id = message_id(rng, at, author.platform)
    return Message(
        id=msg_id,
        platform=author.platform,
        author=author.handle,
        author_name=author.name,
        at=at,
        text=text,
        reply_to=reply_to,
        quote_of=quote_of,
        links=links,
        mentions=mentions,
        hashtags=hashtags,
        media=tuple(media),
        likes=likes,
        edited_at=edited_at,
        permalink=permalink_for(author.platform, author.handle, msg_id),
    )


# --- people --------------------------------------------------------------------------------

_FIRST = [
    "Alex",
    "Ana",
    "Ben",
    "Bianca",
    "Cam",
    "Carla",
    "Dan",
    "Dana",
    "Eli",
    "Emma",
    "Femi",
    "Fran",
    "Gabe",
    "Gia",
    "Hugo",
    "Ines",
    "Ivan",
    "Jade",
    "Jon",
    "June",
    "Kai",
    "Kat",
    "Leo",
    "Lina",
    "Luca",
    "Mae",
    "Mia",
    "Nate",
    "Nia",
    "Oli",
    "Pia",
    "Ravi",
    "Remy",
    "Sara",
    "Seb",
    "Tess",
    "Theo",
    "Uma",
    "Val",
    "Vik",
    "Wes",
    "Yara",
    "Zac",
    "Zara",
    "Ade",
    "Bruno",
    "Chidi",
    "Daria",
    "Erik",
    "Farah",
    "Gus",
    "Hiro",
    "Ilse",
    "Joao",
    "Kemi",
    "Lars",
    "Mina",
]
_LAST = [
    "Abbott",
    "Baker",
    "Castro",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hall",
    "Ito",
    "Jensen",
    "Kim",
    "Lopez",
    "Moreau",
    "Novak",
    "Osei",
    "Park",
    "Rossi",
    "Silva",
    "Tan",
    "Ueda",
    "Varga",
    "Walsh",
    "Xu",
    "Young",
    "Zhou",
    "Achebe",
    "Bakker",
    "Costa",
    "Dubois",
    "Eze",
    "Flores",
    "Gupta",
    "Haddad",
    "Ibrahim",
    "Jovanovic",
    "Kowalski",
    "Larsen",
    "Mendes",
    "Nakamura",
]
_HANDLE_STYLES = (
    "{f}{l}",
    "{f}_{l}",
    "{f}{l}{n}",
    "{f}_{job}",
    "{f}makes{thing}",
    "the{f}{l}",
    "{f}.{l}",
    "{f}_in_{city}",
)
_JOBS = ["pm", "ux", "dev", "hr", "data", "ops", "eng", "writes", "codes", "designs", "recruits", "teaches"]
_THINGS = ["apps", "maps", "tea", "pots", "docs", "plans"]
_CITIES = ["leeds", "ldn", "nyc", "atl", "pdx", "berlin", "lagos", "toronto", "dublin", "austin"]
_INSTANCES = ("mastodon.social", "hachyderm.io", "mas.to", "fosstodon.org", "mastodon.online")


def invent_participants(rng: random.Random, count: int, *, mastodon_share: float = 0.15, taken: Iterable[str] = ()) -> list[Participant]:
    """`count` distinct, fictional participants with plausible handles and names."""
    seen = {h.casefold() for h in taken}
    people: list[Participant] = []
    while len(people) < count:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        user = rng.choice(_HANDLE_STYLES).format(
            f=first.lower(),
            l=last.lower(),
            n=rng.randint(1, 99),
            job=rng.choice(_JOBS),
            thing=rng.choice(_THINGS),
            city=rng.choice(_CITIES),
        )
        if rng.random() < mastodon_share:
            user = user.replace(".", "_")
            handle, platform = f"@{user}@{rng.choice(_INSTANCES)}", "mastodon"
        else:
            handle, platform = "@" + user.replace(".", "_")[:15], "x"
        if handle.casefold() in seen:
            continue
        seen.add(handle.casefold())
        name = f"{first} {last}" if rng.random() < 0.8 else first
        people.append(Participant(handle, name, platform))  # type: ignore[arg-type]
    return people


def _as_participants(items: Iterable[Participant | str], platform: Platform) -> list[Participant]:
    return [p if isinstance(p, Participant) else Participant(p, "", platform) for p in items]


# --- generic chat phrases ------------------------------------------------------------------

GENERIC_ANSWERS = (
    "Honestly? Writing things down as they happen. Future me always thanks past me",
    "ask early, ask often. waiting never once helped me",
    "I used to think I had to figure it all out alone. I really didn't",
    "Talking to people two steps ahead of me. Every single time",
    "Being specific. Vague asks get vague answers",
    "For me it was finally admitting I needed help 🙈",
    "Block the time in the calendar or it doesn't happen. simple as that",
    "It depends a LOT on the manager tbh",
    "The small stuff compounds. Nobody notices week 1, everyone notices month 6",
    "Still working on this one if I'm honest 😅",
    "A good friend outside work who tells me the truth",
    "Set expectations early. It's so much harder to reset them later",
    "I keep a 'wins' doc. Sounds cheesy, saves me every review season",
    "Saying it out loud to someone makes it real",
    "Curiosity > confidence. You can borrow confidence, you can't fake curiosity",
    "My first manager modelled it and I copied her shamelessly",
    "Not comparing myself to LinkedIn highlight reels 😂",
    "Read the room, then say the thing anyway, kindly",
    "Less is more. One clear ask beats five fuzzy ones",
    "I learned it the hard way, after getting it very wrong once",
    "Asking 'what does good look like here?' on day one",
    "Protecting my mornings. Deep work first, Slack later",
    "Honestly the answer is boring: consistency",
    "It's a skill, not a personality trait. You can practise it",
    "Ask the people who left, not just the people who stayed",
    "Know your numbers before the conversation, not during",
    "Boundaries. Took me ten years to learn that word",
    "Treating it like an experiment takes the pressure off",
    "Find your people. This chat is literally one of mine 💛",
    "Be kind to yourself, it's a long career",
    "Doing the thing badly first, then better",
    "Following up in writing after every important conversation",
    "Noticing my energy, not just my calendar",
    "Ask for the 'why' behind the request. changes everything",
    "Having a plan B makes plan A feel way less scary",
)

# Occasionally an answer points somewhere; {user} is the author's handle without '@' or instance.
GENERIC_LINK_SUFFIXES = (
    " (wrote a longer post about it: https://medium.com/@{user}/{slug})",
    ". More here 👉 https://{user}.substack.com/p/{slug}",
    " — my notes from a talk on this: https://{user}.github.io/notes/{slug}/",
    " (we talked about this on the blog once: https://blog.careerclub.example/2024/{num:02d}/{slug}/)",
)
_LINK_SLUGS = (
    "what-i-learned",
    "the-boring-answer",
    "notes-to-my-younger-self",
    "a-small-habit",
    "ask-better-questions",
    "on-being-new",
)

GENERIC_REPLIES = (
    "+1",
    "this 👆",
    "great point!",
    "So true",
    "Love this",
    "Stealing this 💡",
    "100%",
    "Same here honestly",
    "Ooh I hadn't thought of it that way",
    "Yes! And write it down afterwards",
    "Ha, been there 😅",
    "Could you say more about that?",
    "This is the answer.",
    "Needed to hear this tonight 🙏",
    "yes yes yes",
    "Underrated answer",
    "Oof, felt that one",
    "Such a good reminder",
    "Agree, with the caveat that it depends on your manager",
    "Bookmarking this whole thread",
    "👏👏",
    "Exactly what I was going to say!",
    "Wish someone had told me this at 22",
    "Love the honesty here",
    "Co-signed ✍️",
)

GENERIC_REPLIES_BACK = (
    "thanks! took me years to learn it",
    "exactly 🙌",
    "haha glad it's not just me",
    "happy to share more in DMs!",
    "right?! it changed a lot for me",
    "thank you 💛",
    "yes, that's a great add",
    "fair, it really does depend",
)

GENERIC_QUOTES = (
    "This. 👇",
    "Read this twice.",
    "If you only read one answer tonight, make it this one",
    "Saving this for my team 👇",
    "Such a good answer",
)

GENERIC_INTROS = (
    "Hi all! {first} here, {job} from {place}",
    "Evening everyone 👋 {first}, {job}, {place}",
    "{first} checking in from {place}! {job} by day",
    "Hello hello, {first} from {place} here ({job})",
    "First time joining! I'm {first}, {job} in {place}",
    "Hey #CareerClub 👋 {first} from {place}, {job}",
    "{first} here, lurking with tea ☕ ({job}, {place})",
)
_INTRO_JOBS = (
    "product manager",
    "software engineer",
    "HR business partner",
    "UX designer",
    "data analyst",
    "teacher",
    "nurse thinking about a change",
    "recruiter",
    "marketing lead",
    "student",
    "freelance writer",
    "engineering manager",
    "customer success manager",
    "project manager",
    "ops lead",
)
_INTRO_PLACES = (
    "Leeds",
    "Atlanta",
    "Toronto",
    "Berlin",
    "Lagos",
    "Austin",
    "Dublin",
    "Manchester",
    "Chicago",
    "Nairobi",
    "Lisbon",
    "Brooklyn",
    "Melbourne (it's 10am here!)",
    "Glasgow",
    "Denver",
)

_MEDIA_ALTS = (
    "A mug of tea next to a laptop showing the chat",
    "A dog asleep on a desk chair",
    "A handwritten list on a sticky note",
    "A whiteboard covered in arrows and boxes",
    "A cat sitting on a keyboard",
)


def answer_prefix(rng: random.Random, number: int) -> str:
    """One of the ways people mark an answer to question `number`."""
    return rng.choices(
        (f"A{number}: ", f"A{number}. ", f"a{number} - ", f"A{number} ", f"a{number}: ", f"A{number} - "),
        weights=(60, 10, 8, 10, 8, 4),
    )[0]


def _likes(rng: random.Random, boost: float = 1.0) -> int:
    return min(int(rng.expovariate(0.6 / boost)), 40)


def _first_name(p: Participant) -> str:
    return p.name.split()[0] if p.name else p.handle.lstrip("@").split("@")[0]


def _at(base: dt.datetime, seconds: float) -> dt.datetime:
    return (base + dt.timedelta(seconds=seconds)).replace(microsecond=0)


def _tag(rng: random.Random, hashtag: str, share: float) -> str:
    return f" #{hashtag}" if rng.random() < share else ""


# --- building the chat ---------------------------------------------------------------------


def add_chatter(
    rng: random.Random,
    messages: Sequence[Message],
    *,
    questions: Sequence[Message],
    participants: Sequence[Participant],
    count: int,
    end: dt.datetime,
    hashtag: str = "CareerClub",
    answer_phrases: Sequence[str] | Mapping[int, Sequence[str]] = GENERIC_ANSWERS,
    avoid: Iterable[str] = (),
) -> list[Message]:
    """`count` new answers, replies and quotes around an existing chat; returns only the new ones.

    `questions` are the host's question messages, in order (Q1 first). Replies go to answers
    and replies of the same platform, because a Mastodon post cannot reply to an X post.
    `avoid` names message ids nobody should reply to (e.g. ones about to be deleted).
    `answer_phrases` is either one list for every question or a mapping from question index
    (0 for Q1) to phrases written for that question; generic phrases fill in the rest.
    """
    used: set[str] = set()
    avoided = set(avoid)
    question_ids = {q.id for q in questions}
    author_of = {m.id: m.author for m in messages}
    # Replies target answers and replies on the author's own platform; questions are
    # answered through the "answer" branch instead.
    pools: dict[str, list[Message]] = {}
    for m in messages:
        if m.id not in avoided and m.id not in question_ids and _is_answer_or_reply(m):
            pools.setdefault(m.platform, []).append(m)
    new: list[Message] = []
    attempts = 0
    while len(new) < count and attempts < count * 4:
        attempts += 1
        author = rng.choice(participants)
        kind = rng.choices(("answer", "reply", "quote"), weights=(48, 48, 4))[0]
        parent = _pick_parent(rng, pools.get(author.platform, ()), author.handle)
        index = rng.randrange(len(questions))
        phrase = _pick_phrase(rng, answer_phrases, index, used) if kind == "answer" or parent is None else None
        if phrase is None and parent is None:
            continue
        if phrase is None:
            at = min(_at(parent.at, rng.uniform(15, 240)), end + dt.timedelta(minutes=3))
            if at <= parent.at:
                at = _at(parent.at, rng.uniform(5, 30))
            if kind == "quote":
                text = f"{rng.choice(GENERIC_QUOTES)} #{hashtag}"
                msg = make_message(rng, author=author, at=at, text=text, quote_of=parent.id, likes=_likes(rng, 2))
            else:
                back = author_of.get(parent.reply_to or "") == author.handle
                phrase = rng.choice(GENERIC_REPLIES_BACK if back else GENERIC_REPLIES)
                text = f"{parent.author} {phrase}{_tag(rng, hashtag, 0.45)}"
                msg = make_message(rng, author=author, at=at, text=text, reply_to=parent.id, likes=_likes(rng))
        else:
            question = questions[index]
            next_at = questions[index + 1].at if index + 1 < len(questions) else end
            window = max((next_at - question.at).total_seconds(), 120)
            at = _at(question.at, 20 + rng.betavariate(1.3, 2.2) * window * 1.15)
            if author.platform == question.platform and rng.random() < 0.12:
                text = f"{question.author} {phrase} #{hashtag}"
                msg = make_message(rng, author=author, at=at, text=text, reply_to=question.id, likes=_likes(rng, 1.5))
            else:
                if rng.random() < 0.04:
                    user = author.handle.lstrip("@").split("@")[0].replace("_", "")
                    phrase += rng.choice(GENERIC_LINK_SUFFIXES).format(user=user, slug=rng.choice(_LINK_SLUGS), num=rng.randint(1, 12))
                text = f"{answer_prefix(rng, index + 1)}{phrase} #{hashtag}"
                media = ()
                if rng.random() < 0.02:
                    media = (_fake_media(rng, author),)
                msg = make_message(rng, author=author, at=at, text=text, media=media, likes=_likes(rng, 1.5))
        new.append(msg)
        author_of[msg.id] = msg.author
        if _is_answer_or_reply(msg):
            pools.setdefault(msg.platform, []).append(msg)
    return new


_ANSWER = re.compile(r"^\s*[Aa]\d")


def _is_answer_or_reply(m: Message) -> bool:
    # Intros, welcomes and announcements are not what "+1" and "this 👆" answer.
    return bool(m.text) and (m.reply_to is not None or bool(_ANSWER.match(m.text)))


def _pick_phrase(rng: random.Random, phrases: Sequence[str] | Mapping[int, Sequence[str]], index: int, used: set[str]) -> str | None:
    """An answer nobody has posted tonight, or None when the good ones are used up.

    Two people posting the very same sentence reads as fake, so written phrases are used once;
    after that the caller turns the message into a reply instead.
    """
    if isinstance(phrases, Mapping):
        topical = [p for p in phrases.get(index, ()) if p not in used]
    else:
        topical = [p for p in phrases if p not in used]
    generic = [p for p in GENERIC_ANSWERS if p not in used]
    if topical and (not generic or rng.random() >= 0.15):
        phrase = rng.choice(topical)
    elif generic and (topical or rng.random() < 0.3):
        phrase = rng.choice(generic)
    elif not isinstance(phrases, Mapping) and phrases and rng.random() < 0.6:
        # Long synthetic chats (the benchmark) outrun any list; vary the opening instead.
        base = rng.choice(phrases)
        return rng.choice(_OPENERS) + base[:1].lower() + base[1:]
    else:
        return None
    used.add(phrase)
    return phrase


_OPENERS = ("Honestly, ", "For me, ", "Big one for me: ", "Ha, ", "Late to this but ", "Agree with others, ", "Hmm. ")


def _pick_parent(rng: random.Random, pool: Sequence[Message], author: str) -> Message | None:
    for _ in range(6):
        if not pool:
            return None
        candidate = rng.choice(pool)
        if candidate.author != author:
            return candidate
    return None


def _fake_media(rng: random.Random, author: Participant) -> Media:
    key = f"{rng.getrandbits(60):015x}"
    if author.platform == "mastodon":
        url = f"https://files.mastodon.social/media_attachments/files/{key[:3]}/{key[3:6]}/{key[6:9]}/original/{key}.png"
    else:
        url = f"https://pbs.twimg.com/media/{key}.jpg"
    return Media(url=url, kind="image", alt=rng.choice(_MEDIA_ALTS))


def sprinkle_edits_and_deletions(
    rng: random.Random,
    messages: Sequence[Message],
    *,
    edits: int = 2,
    deletions: int = 1,
    keep: Iterable[str] = (),
) -> list[Message]:
    """The same messages with a few marked edited and a few deleted (text and entities gone).

    Only answers and replies nobody replied to or quoted are deleted, as a deleted parent would
    leave its replies dangling in the demo; `keep` protects ids (e.g. highlights) from both.
    """
    kept = set(keep)
    referenced = {m.reply_to for m in messages} | {m.quote_of for m in messages}
    candidates = [m for m in messages if m.id not in kept and m.text and not m.deleted and not m.edited_at]
    deletable = [m for m in candidates if m.id not in referenced]
    to_delete = {m.id for m in rng.sample(deletable, min(deletions, len(deletable)))}
    editable = [m for m in candidates if m.id not in to_delete]
    to_edit = {m.id for m in rng.sample(editable, min(edits, len(editable)))}
    out = []
    for m in messages:
        if m.id in to_delete:
            m = m.model_copy(update={"text": "", "deleted": True, "links": (), "mentions": (), "hashtags": (), "media": (), "likes": 0})
        elif m.id in to_edit:
            m = m.model_copy(update={"edited_at": _at(m.at, rng.uniform(40, 400))})
        out.append(m)
    return out


def synthesise_intros(
    rng: random.Random,
    people: Sequence[Participant],
    *,
    start: dt.datetime,
    hashtag: str = "CareerClub",
    within_seconds: float = 300,
) -> list[Message]:
    """One "Hi all, Sam from Leeds, product manager" message per person, in the first minutes."""
    msgs = []
    for person in people:
        text = rng.choice(GENERIC_INTROS).format(first=_first_name(person), job=rng.choice(_INTRO_JOBS), place=rng.choice(_INTRO_PLACES))
        if f"#{hashtag}" not in text:
            text += f" #{hashtag}"
        at = _at(start, rng.uniform(20, within_seconds))
        msgs.append(make_message(rng, author=person, at=at, text=text, likes=_likes(rng)))
    return msgs


def synthesise_episode_messages(
    rng: random.Random,
    *,
    starts_at: dt.datetime,
    questions: Sequence[str],
    hosts: Sequence[Participant | str],
    participants: Sequence[Participant | str],
    count: int,
    platform: Platform = "x",
    hashtag: str = "CareerClub",
    duration_minutes: int = 60,
    answer_phrases: Sequence[str] | Mapping[int, Sequence[str]] = GENERIC_ANSWERS,
    next_topic: str = "",
) -> list[Message]:
    """About `count` messages of one chat: welcome, intros, questions, answers, replies, goodbye.

    Strings in `hosts`/`participants` are handles on `platform`. The result is sorted by time.
    """
    host_people = _as_participants(hosts, platform)
    people = _as_participants(participants, platform) or host_people
    start = starts_at.astimezone(dt.UTC).replace(microsecond=0)
    end = start + dt.timedelta(minutes=duration_minutes)
    host = host_people[0]
    msgs: list[Message] = [
        make_message(
            rng,
            author=host,
            at=_at(start, rng.uniform(-90, 10)),
            text=f"Welcome to #{hashtag}! 👋 Grab a drink and tell us who you are and where you're joining from.",
            likes=rng.randint(3, 15),
        )
    ]
    intro_count = max(1, count // 8)
    msgs += synthesise_intros(rng, rng.sample(people, min(intro_count, len(people))), start=start, hashtag=hashtag)
    question_msgs = []
    span = (duration_minutes - 8) * 60
    for i, question in enumerate(questions):
        at = _at(start, 300 + i * span / max(len(questions), 1) + rng.uniform(-20, 20))
        author = host_people[i % len(host_people)]
        q = make_message(rng, author=author, at=at, text=f"{question} #{hashtag}", likes=rng.randint(5, 25))
        question_msgs.append(q)
    msgs += question_msgs
    closing = f"That's time! Thank you all for a brilliant #{hashtag} tonight 💛"
    msgs.append(make_message(rng, author=host, at=_at(end, rng.uniform(-150, -30)), text=closing, likes=rng.randint(5, 20)))
    if next_topic:
        text = f"Next week on #{hashtag}: {next_topic}. Same time, same place. See you there!"
        msgs.append(make_message(rng, author=host, at=_at(end, rng.uniform(-20, 60)), text=text, likes=rng.randint(3, 12)))
    if question_msgs:
        msgs += add_chatter(
            rng,
            msgs,
            questions=question_msgs,
            participants=people,
            count=max(0, count - len(msgs)),
            end=end,
            hashtag=hashtag,
            answer_phrases=answer_phrases,
        )
    msgs = sprinkle_edits_and_deletions(
        rng,
        msgs,
        edits=rng.randint(2, 4),
        deletions=rng.randint(1, 3),
        keep={m.id for m in msgs if m.author in {h.handle for h in host_people}},
    )
    return sorted(msgs, key=lambda m: (m.at, m.id))
