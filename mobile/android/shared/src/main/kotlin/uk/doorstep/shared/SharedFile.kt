// A file a screen hands to the platform to share or save: its name and its text.
//
// Invariant: the text is the core's, whole; only the name is the screen's.
package uk.doorstep.shared

data class SharedFile(val name: String, val text: String)
