"""What residents need: the questions the assistant could not answer, grouped across languages."""
