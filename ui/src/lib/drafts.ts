// Drafts: a form's fields kept in the core while the resident types, so nothing typed is lost
// when a submission fails, the screen is left or the app closes.
//
// Invariant: one form has at most one draft; saves are made in order, one at a time, at most
// one `delay` after the last change, and a draft is deleted only when the form no longer needs
// it (sent, or thrown away by the resident).

import { doorstep, type Draft } from './doorstep';

/** What every draft body carries, so Home can list it and a form can find its own. */
export interface DraftBody<F> {
  /** Which form: a service code, or a payment purpose. */
  form: string;
  /** "Report a pothole": shown as "Carry on with ...". */
  title: string;
  /** Where the form is. */
  href: string;
  fields: F;
}

export class DraftKeeper<F> {
  #id: string | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #pending: DraftBody<F> | null = null;
  #saving: Promise<void> = Promise.resolve();
  readonly kind: string;
  readonly form: string;
  readonly delay: number;

  constructor(kind: string, form: string, delay = 500) {
    this.kind = kind;
    this.form = form;
    this.delay = delay;
  }

  get id(): string | null {
    return this.#id;
  }

  /** The newest draft of this form, if there is one; later saves replace it. */
  async restore(): Promise<F | null> {
    const drafts = await doorstep.drafts();
    const mine = drafts.find(
      (d): d is Draft<DraftBody<F>> => d.kind === this.kind && isBody(d.body) && d.body.form === this.form,
    );
    if (mine === undefined) return null;
    this.#id = mine.id;
    return mine.body.fields;
  }

  /** The form changed: save it once the resident pauses. */
  changed(title: string, href: string, fields: F): void {
    this.#pending = { form: this.form, title, href, fields: structuredClone(fields) };
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, this.delay);
  }

  /** Save what is waiting now (when the form is left). */
  flush(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const body = this.#pending;
    this.#pending = null;
    if (body === null) return this.#saving;
    this.#saving = this.#saving.then(async () => {
      try {
        this.#id = await doorstep.saveDraft(this.#id, this.kind, body);
      } catch {
        // Keep the fields for the next change: the form itself still holds them.
        this.#pending ??= body;
      }
    });
    return this.#saving;
  }

  /** The form was sent or thrown away: forget its draft. */
  async discard(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#pending = null;
    await this.#saving;
    const id = this.#id;
    this.#id = null;
    if (id !== null) {
      try {
        await doorstep.deleteDraft(id);
      } catch {
        // Already gone: nothing to forget.
      }
    }
  }
}

function isBody(body: unknown): body is DraftBody<unknown> {
  return typeof body === 'object' && body !== null && 'form' in body && 'fields' in body;
}

/** Drafts as Home lists them: "Carry on with ...". */
export async function draftsToCarryOn(): Promise<{ id: string; title: string; href: string }[]> {
  const drafts = await doorstep.drafts();
  return drafts
    .filter((d): d is Draft<DraftBody<unknown>> => isBody(d.body))
    .map((d) => ({ id: d.id, title: d.body.title, href: d.body.href }));
}
