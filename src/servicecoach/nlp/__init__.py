"""NLP: the spaCy pipeline, compiled matchers, text context (negation, quotes) and sentiment."""
