// The steps of a form's journey (the form, "Check your answers", done) as the report and booking
// pages take them: "Check your answers" asked of the core, and the focus moved to where the
// resident reads first once a step is drawn.
//
// Invariant: a refusal of "Check your answers" comes back as the form's problems, never as
// rows; the focus moves only after the page has drawn the step that holds it.
import { tick } from 'svelte';
import type { CheckedAnswer, ShellError } from './doorstep';
import { formErrors, type FormErrors } from './errors';

/** "Check your answers" from the core: its rows, or what the form shows of its refusal. */
export async function checkWithCore(check: () => Promise<CheckedAnswer[]>): Promise<CheckedAnswer[] | FormErrors> {
  try {
    return await check();
  } catch (error) {
    return formErrors(error as ShellError);
  }
}

/** Put the focus on the element `id` once the page has drawn the step that holds it. */
export async function focusWhenShown(id: string): Promise<void> {
  await tick();
  document.getElementById(id)?.focus();
}
