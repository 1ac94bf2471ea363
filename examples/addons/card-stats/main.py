# SPDX-License-Identifier: MIT
"""Card Stats: a well-behaved sample add-on for the flashcards host.

Counts your reviews and right answers, keeps the totals with the host's
store_data (and a log of its own in $DATA, the one folder it may write),
and every third review sends a notification. With host.deck_read it also
names your hardest card; with sys.clipboard:write it copies the summary.
Everything else of your computer is out of its reach.
"""

import os
import time

import permit_host_rpc

host = permit_host_rpc.Host()
stats = {"reviews": 0, "right": 0, "misses": {}}


@host.method("initialize")
def initialize(**params):
    host.params = params
    saved = host.call("load_data", key="stats")
    if isinstance(saved, dict):
        stats.update(saved)
    host.log(f"card-stats ready: {stats['reviews']} reviews so far (granted: {', '.join(params['granted'])})")
    return {"events": ["card_answered"]}


def summary():
    text = f"{stats['reviews']} cards reviewed, {stats['right']} right"
    granted = host.params.get("granted", [])
    if stats["misses"] and "host.deck_read" in granted:
        hardest = max(stats["misses"], key=stats["misses"].get)
        card = host.call("deck.get", id=int(hardest))
        text += f"; hardest: {card['front']}"
    return text


@host.method("handle_event")
def handle_event(event, data):
    if event != "card_answered":
        return None
    stats["reviews"] += 1
    if data.get("correct"):
        stats["right"] += 1
    else:
        key = str(data.get("card"))
        stats["misses"][key] = stats["misses"].get(key, 0) + 1
    host.call("store_data", key="stats", value=stats)
    with open(os.path.join(os.environ["PERMIT_DATA"], "reviews.log"), "a", encoding="utf-8") as f:
        f.write(f"{int(time.time())} card {data.get('card')} {'right' if data.get('correct') else 'wrong'}\n")
    if stats["reviews"] % 3 == 0:
        text = summary()
        host.notify_user(text)
        if "sys.clipboard:write" in host.params.get("granted", []):
            host.call("clipboard_write", text=text)
    return {"reviews": stats["reviews"]}


host.run()
