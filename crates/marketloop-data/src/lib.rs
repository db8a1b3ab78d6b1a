//! # marketloop-data
//!
//! Data sets and their preprocessing: the MovieLens-100K loader, matrix completion by biased
//! SVD, k-means clustering of users into preference types, and the construction of the
//! visibility and quality matrices of the trial-offer market.
#![deny(missing_docs)]
