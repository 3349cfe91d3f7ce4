"""What the kit generates for a course: stubs, notebooks, written questions, translations, courses."""
