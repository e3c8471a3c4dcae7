import { describe, expect, it } from 'vitest';
import { fieldId } from './doorstep';
import { formErrors } from './errors';
import { refusal } from '../test/core';

describe('form errors', () => {
  it('lists every problem once, in order, each linked to its input', () => {
    const errors = formErrors(
      refusal('invalid', 'Check your answers', {
        problems: [
          { field: 'answers.depth', message: 'Choose how deep it is' },
          { field: 'location', message: 'Say where it is' },
          { field: 'photos.1', message: 'This photo could not be read' },
          { field: 'service_code', message: 'This service is no longer offered' },
        ],
      }),
    );
    expect(errors.summary).toEqual([
      { id: 'answers-depth', text: 'Choose how deep it is' },
      { id: 'postcode', text: 'Say where it is' },
      { id: 'photos', text: 'This photo could not be read' },
      { id: null, text: 'This service is no longer offered' },
    ]);
    expect(errors.byField).toEqual({
      'answers-depth': 'Choose how deep it is',
      postcode: 'Say where it is',
      photos: 'This photo could not be read',
    });
  });

  it('shows a refusal without problems as its one message', () => {
    const errors = formErrors(refusal('offline', 'The council cannot be reached'));
    expect(errors.summary).toEqual([{ id: null, text: 'The council cannot be reached' }]);
  });

  it('maps the amount to its input', () => {
    expect(fieldId('amount_pence')).toBe('amount');
    expect(fieldId('contact.email')).toBe('contact-email');
  });
});
