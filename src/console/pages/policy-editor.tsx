import { useState } from 'preact/hooks';

export const EMPTY_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] }, null, 2);

/** What the browser can tell before asking Gatehouse: the text must be JSON with a Statement. */
export function localFinding(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'A policy is a JSON object.';
  if (!('Statement' in parsed)) return 'The policy has no Statement.';
  return undefined;
}

/**
 * A policy's JSON: checked as it is typed (JSON syntax only); the policy grammar is judged by Gatehouse itself when the
 * document is saved, and its MalformedPolicyDocument message is shown by the caller under the editor.
 */
export function PolicyEditor({ id, label, value, onInput, serverError }: { id: string; label: string; value: string; onInput: (text: string) => void; serverError: string | undefined }) {
  const [touched, setTouched] = useState(false);
  const finding = touched ? localFinding(value) : undefined;
  return (
    <div class="editor">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        class="code document-editor"
        rows={14}
        spellcheck={false}
        autocapitalize="none"
        aria-invalid={finding !== undefined || serverError !== undefined}
        aria-describedby={`${id}-findings`}
        value={value}
        onInput={(e) => {
          setTouched(true);
          onInput(e.currentTarget.value);
        }}
      />
      <div id={`${id}-findings`} aria-live="polite">
        {finding !== undefined ? (
          <p class="error">{finding}</p>
        ) : serverError !== undefined ? (
          <p class="error" role="alert">
            {serverError}
          </p>
        ) : (
          <p class="muted">{touched ? 'Valid JSON. Gatehouse checks the policy grammar when you save.' : 'JSON policy document.'}</p>
        )}
      </div>
    </div>
  );
}
