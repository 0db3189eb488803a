import { useEffect, useState } from 'react';
import type { ReceiptInfo } from '../bridge';
import type { Stores } from '../stores';
import { BusyLine, type Busy } from '../components/common';

/**
 * The customer's receipt: shown on screen as it prints (the same strings as the PDF), printed with
 * the page's print style (only the receipt), and saved as the tagged PDF the customer takes home.
 * Every print after the first is marked as a copy.
 */
export function ReceiptView({ stores, reference }: { stores: Stores; reference: string }) {
  const [receipt, setReceipt] = useState<ReceiptInfo | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState<Busy>({ kind: 'idle' });
  useEffect(() => () => (url === null ? undefined : URL.revokeObjectURL(url)), [url]);
  const prepare = async (): Promise<ReceiptInfo | null> => {
    setBusy({ kind: 'working', what: 'Preparing the receipt' });
    const answer = await stores.api['receipt.get']({ transferId: reference });
    if (!answer.ok) {
      setBusy({ kind: 'failed', code: answer.code, message: answer.message });
      return null;
    }
    const bytes = Uint8Array.from(atob(answer.receipt.pdfBase64), (char) => char.charCodeAt(0));
    setUrl(URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' })));
    setReceipt(answer.receipt);
    setBusy({ kind: 'done', message: answer.receipt.copy ? 'Receipt ready (a copy: printed before).' : 'Receipt ready.' });
    return answer.receipt;
  };
  const print = async () => {
    if ((await prepare()) !== null) setTimeout(() => window.print(), 50);
  };
  return (
    <div className="receipt">
      <div className="actions">
        <button type="button" className="primary" onClick={() => void print()}>
          {receipt === null ? 'Print receipt' : 'Reprint (copy)'}
        </button>
        {url !== null && (
          <a className="button" href={url} download={`receipt-${reference}${receipt?.copy === true ? '-copy' : ''}.pdf`}>
            Save PDF
          </a>
        )}
      </div>
      <BusyLine busy={busy} />
      {receipt !== null && <ReceiptPaper receipt={receipt} />}
    </div>
  );
}

function ReceiptPaper({ receipt }: { receipt: ReceiptInfo }) {
  const { text } = receipt;
  return (
    <article className={`receipt-paper${receipt.copy ? ' copy' : ''}`} aria-label={`Receipt ${receipt.reference}${receipt.copy ? ' (copy)' : ''}`}>
      <header>
        <div>
          <p className="receipt-bank">{text.bankName}</p>
          <p className="muted">{text.branch}</p>
        </div>
        {receipt.copy && <p className="copy-mark">COPY</p>}
      </header>
      <p className="receipt-kind">{text.heading}</p>
      <p className="receipt-amount">{text.amount}</p>
      <p className="muted">{text.currencyName}</p>
      <p className="receipt-status">{text.status}</p>
      {[text.lines, text.details].map((rows, index) => (
        <dl key={index} className="receipt-rows">
          {rows.map((row) => (
            <div key={row.label}>
              <dt>{row.label}</dt>
              <dd>{row.value}</dd>
            </div>
          ))}
        </dl>
      ))}
      <footer>
        <p>
          <strong>{text.footer}</strong>
        </p>
        {text.reprint !== null && <p>{text.reprint}</p>}
        <p className="muted">{text.printed}</p>
      </footer>
    </article>
  );
}
