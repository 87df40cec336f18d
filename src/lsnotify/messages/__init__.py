"""What lsnotify says to people: the one template environment (``templates/``), every email and SMS renderer, and
the formats times are shown in.

Renderers are pure: they take records and values and return text; sealing, storing and sending are someone else's.
"""
