"""zoufang (走访): grassroots visit campaigns."""
