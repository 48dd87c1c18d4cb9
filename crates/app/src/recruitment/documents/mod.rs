//! The documents of 发展党员, generated from the recorded steps as `.docx`.
