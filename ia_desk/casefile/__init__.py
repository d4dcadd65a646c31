"""Read models composed above the domain rooms: the case file, the case list and its
flags, the timeline, an employee's history, and what a user may do on a case."""
