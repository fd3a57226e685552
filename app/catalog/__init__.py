"""What Runway accepts: the models and endpoints (generated from the SDK's types), the rules of a
create body, and what each failure code means."""
