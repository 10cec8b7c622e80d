"""leadrail: open-source lead routing."""
