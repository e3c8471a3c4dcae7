// A file a screen hands to the platform to share or save: its name and its text.
//
// Invariant: the text is the core's, whole; only the name is the screen's.
import Foundation

public struct SharedFile: Equatable {
    public let name: String
    public let text: String
}
