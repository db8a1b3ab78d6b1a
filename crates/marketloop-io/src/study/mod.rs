//! Studies: experiments of our own that ask the papers' open questions with marketloop's
//! models, built like the reproductions (a plain config, a resumable run folder with tables,
//! figures, a report whose findings are stated with their numbers, and a manifest). The CLI
//! (`marketloop study ...`) and the Python package are thin layers over these functions.
//!
//! - [`learning`]: `marketloop study learning-in-the-loop` (issue 11): platforms that learn
//!   quality in the loop, on their own and competing for typed users, run through the arena.

pub mod learning;
