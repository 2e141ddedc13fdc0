/// The pure large-message core (wire format, policy, codecs, encryption,
/// reassembly state) lives in `BargeCore`; users of `Barge` see it as before.
@_exported import BargeCore
