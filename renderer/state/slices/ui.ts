export interface UiSlice {
  settingsOpen: boolean;
  catalogOpen: boolean;
  /** The source passage highlighted in the document view. */
  highlight: { start: number; end: number } | null;
  /** Asks the document view to scroll to a character; the nonce makes the same offset scroll again. */
  scrollRequest: { offset: number; nonce: number } | null;
  /** Bumped to move keyboard focus to the compression slider. */
  focusSliderNonce: number;
  /** Bumped to move keyboard focus to the message box. */
  focusComposerNonce: number;
}

export const initialUi = (): UiSlice => ({ settingsOpen: false, catalogOpen: false, highlight: null, scrollRequest: null, focusSliderNonce: 0, focusComposerNonce: 0 });
