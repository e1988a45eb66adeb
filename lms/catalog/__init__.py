"""The course catalog: content import and checks, catalog pages, enrolment."""
