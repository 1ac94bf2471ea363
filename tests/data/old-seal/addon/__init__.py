"""Word of the Day: a small sample add-on for permit.

It adds one new flashcard a day: a word and its meaning, looked up on a
dictionary service. It declares exactly that in permit.json, so a host
running it under permit lets it reach the dictionary and nothing else.
"""

import json
import os
import urllib.request

API = "https://api.dictionaryapi.dev/api/v2/entries/en/"
DEFAULT_WORDS = ["serendipity", "ephemeral", "laconic", "petrichor", "sonder"]


def word_lists():
    """Words from ~/Documents/word-lists/*.txt, if the user allowed it."""
    folder = os.path.expanduser("~/Documents/word-lists")
    words = []
    try:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".txt"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    words += [w.strip() for w in f if w.strip()]
    except OSError:
        pass  # not granted, or no lists: the built-in words will do
    return words or DEFAULT_WORDS


def todays_word(day):
    words = word_lists()
    return words[day % len(words)]


def meaning(word):
    with urllib.request.urlopen(API + word, timeout=10) as response:
        entries = json.load(response)
    return entries[0]["meanings"][0]["definitions"][0]["definition"]


def make_card(day):
    word = todays_word(day)
    return {"front": word, "back": meaning(word)}
