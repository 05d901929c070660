"""`computed_once`: per-turn attributes are computed on first read, once per instance."""

from servicecoach.nlp.once import computed_once


class Turnish:
    def __init__(self, text: str) -> None:
        self.text = text
        self.calls = 0

    @computed_once
    def lowered(self) -> str:
        """The text in lower case."""
        self.calls += 1
        return self.text.lower()


def test_an_attribute_is_computed_on_first_read_only():
    turn = Turnish("Hello THERE")
    assert turn.calls == 0
    assert turn.lowered == "hello there"
    assert turn.lowered == "hello there"
    assert turn.calls == 1


def test_each_instance_computes_its_own_value():
    first, second = Turnish("A"), Turnish("B")
    assert (first.lowered, second.lowered) == ("a", "b")
    assert Turnish.lowered.__doc__ == "The text in lower case."
