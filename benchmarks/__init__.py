"""`make bench`: cold start, warm overhead, DynamoDB round trips and units, dollars per million, load."""
