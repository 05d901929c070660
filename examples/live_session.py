"""Agent assist: feed turns as they happen and show hints at once.

Run: python examples/live_session.py
"""

from servicecoach import Coach

coach = Coach()  # immutable: share one Coach between threads, one session per conversation
session = coach.session({"customer_name": "Priya Raman"}, channel="chat", transcript_id="chat-7")

conversation = [
    ("agent", "Hi, thanks for contacting Contoso. I'm Alex, how can I help?"),
    ("customer", "My package arrived broken and I'm really upset."),
    ("agent", "Can I have your order number?"),
    ("customer", "It's 5521."),
    ("agent", "I understand, but that's our policy for damaged items."),
]
for speaker, text in conversation:
    for hint in session.add_turn({"speaker": speaker, "text": text}):
        print(f"[hint on turn {hint.turn_index}] {hint.rule_id}: {hint.suggestion}")

report = session.close()
print(f"overall score: {report.overall}")
