"""What follows a committed change: live updates to the rooms, and the minutes on disk.

Both subscribe to :class:`pblapp.db.Database` and work from the events a change logged.
"""
