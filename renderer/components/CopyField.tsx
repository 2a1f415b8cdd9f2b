/** A read-only command with a Copy button (falls back to selecting the text when the clipboard is refused). */
import { useRef, useState } from 'react';

export function CopyField({
  value,
  label,
  testId,
}: {
  value: string;
  label: string;
  testId?: string;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      ref.current?.select();
      setCopied('select');
    }
  };
  return (
    <div className="copy-field">
      <textarea
        ref={ref}
        readOnly
        value={value}
        rows={2}
        aria-label={label}
        onFocus={(e) => e.currentTarget.select()}
        data-testid={testId}
      />
      <button type="button" className="button secondary small" onClick={() => void copy()}>
        {copied === 'yes' ? 'Copied' : 'Copy'}
      </button>
      <span className="sr-only" aria-live="polite">
        {copied === 'yes'
          ? 'Copied to the clipboard'
          : copied === 'select'
            ? 'Selected; press Ctrl+C to copy'
            : ''}
      </span>
    </div>
  );
}
