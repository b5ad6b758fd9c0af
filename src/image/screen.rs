//! The phone-on-screen read: the saved SEM frame shown on a monitor and photographed with a
//! phone camera, the way the record itself was read.

/// What the decoders get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// The frame the microscope saves.
    Direct,
    /// The saved frame and, beside it, a phone photo of the SEM screen showing it.
    ScreenPhoto,
}
crate::choices!(Capture { Capture::Direct => "direct", Capture::ScreenPhoto => "screen-photo" });
