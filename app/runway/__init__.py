"""The upstream side: where to send requests (`endpoints`) and how (`client`)."""
