"""Delivering form leads: one lead to one destination in its format (``deliver``), what a
failed attempt makes of the delivery (``outcomes``), and the admins' alert (``alerts``)."""
