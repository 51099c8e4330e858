import icon from '../../../assets/icons/icon.svg';
import { openSettings } from '../../state/actions/ui.js';
import { OpenDocumentButton } from '../document/OpenDocumentButton.js';
import { OPEN_DOCUMENT_BUTTON_ID } from './KeyboardShortcuts.js';

export function Header() {
  return (
    <header className="app-header">
      <span className="brand">
        <img src={icon} alt="" width={20} height={20} />
        Longread
      </span>
      <span className="spacer" />
      <OpenDocumentButton id={OPEN_DOCUMENT_BUTTON_ID} className="primary" />
      <button type="button" onClick={() => openSettings(true)}>
        Settings
      </button>
    </header>
  );
}
