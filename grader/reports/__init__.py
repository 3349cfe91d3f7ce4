"""What grading hands back: results files, the feedback summary, plots and the class report."""
