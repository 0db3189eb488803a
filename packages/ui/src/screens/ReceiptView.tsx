import { useState } from 'react';
import type { Stores } from '../stores';
import { BusyLine, type Busy } from '../components/common';

/** Prints the customer's receipt (a tagged PDF); every print after the first is marked as a copy. */
export function ReceiptView({ stores, reference }: { stores: Stores; reference: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [copy, setCopy] = useState(false);
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  const print = async () => {
    setBusy({ kind: 'working', what: 'Preparing the receipt' });
    const answer = await stores.api['receipt.get']({ transferId: reference });
    if (!answer.ok) return setBusy({ kind: 'failed', code: answer.code, message: answer.message });
    const bytes = Uint8Array.from(atob(answer.receipt.pdfBase64), (char) => char.charCodeAt(0));
    if (url !== null) URL.revokeObjectURL(url);
    setUrl(URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' })));
    setCopy(answer.receipt.copy);
    setBusy({ kind: 'done', message: answer.receipt.copy ? 'Receipt ready (a copy: printed before).' : 'Receipt ready.' });
  };
  return (
    <div className="receipt">
      <div className="actions">
        <button type="button" className="primary" onClick={() => void print()}>
          {url === null ? 'Print receipt' : 'Reprint (copy)'}
        </button>
        {url !== null && (
          <a className="button" href={url} download={`receipt-${reference}${copy ? '-copy' : ''}.pdf`}>
            Save PDF
          </a>
        )}
      </div>
      <BusyLine busy={busy} />
      {url !== null && <iframe className="receipt-frame" title={`Receipt ${reference}`} src={url} />}
    </div>
  );
}
