import type { Child } from 'hono/jsx';
import type { Shell } from '../shell.js';

/**
 * A labelled input with its error: the error is tied to the field
 * (aria-describedby, aria-invalid) so a screen reader reads it with the field.
 */
export function Field(props: {
  name: string;
  /** When one page has several fields of one name (one form per method): `field-<name>` otherwise. */
  id?: string;
  label: string;
  type?: string;
  value?: string;
  error?: string;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  autofocus?: boolean;
  inputmode?: 'numeric' | 'email' | 'text' | 'tel';
  maxlength?: number;
  pattern?: string;
}) {
  const id = props.id ?? `field-${props.name}`;
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      ) : null}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : props.value}
        autocomplete={props.autocomplete}
        required={props.required}
        autofocus={props.autofocus}
        inputmode={props.inputmode}
        maxlength={props.maxlength}
        pattern={props.pattern}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
    </div>
  );
}

/** The message above a form that failed as a whole (wrong password, too many tries). */
export function FormError(props: { shell: Shell; message?: string }) {
  if (!props.message) return null;
  return (
    <div class="form-error" role="alert">
      <h2>{props.shell.t.common.errorSummary}</h2>
      <p>{props.message}</p>
    </div>
  );
}

/** A labelled textarea with its hint and error, tied to it as `Field` ties them to an input. */
export function TextArea(props: {
  name: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  value?: string | undefined;
  rows?: number;
}) {
  const id = `field-${props.name}`;
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      ) : null}
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 3}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

export const Actions = (props: { children: Child }) => <div class="actions">{props.children}</div>;
