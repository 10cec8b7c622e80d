"""Live routing: website visitors seen by their reps, and chats offered to the reps who may
take them (see docs/architecture.md, "Live routing", and docs/live.md). Its ports are in
``leadrail.app.ports.live``.

``views`` (the protocol's JSON, visitor tokens, checks of what visitors type), ``routing`` (a
visitor through the engine, with presence), ``messages`` (one order per chat), ``chats`` (what
both sides do to a chat), ``takers`` (who may take a chat now), ``presence`` (a rep gone
offline), ``visitors`` (the snippet's events: ``LiveService``), ``reps`` (the console:
``LiveReps``).
"""
