//! Binary-collision Monte Carlo (BCA) of ion–solid interaction.
pub mod potential;
pub mod scattering;
