def word():
    return "serendipity"
