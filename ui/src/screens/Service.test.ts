// A service's page: a service Doorstep does not do itself shows the council's web address and
// opens it in the resident's browser, saying so in words when the browser cannot be opened.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ServiceDefinition } from '../lib/doorstep';
import { fakeCore, refusal } from '../test/core';
import Service from './Service.svelte';

const gardenWaste: ServiceDefinition = {
  code: 'garden_waste_subscription',
  name: 'Garden waste subscription',
  group: 'bins_and_recycling',
  kind: 'info',
  description: 'Brown bin collections from March to November.',
  keywords: [],
  questions: [],
  more_info_url: 'https://www.durham.gov.uk/gardenwaste',
};

describe('a service the council does on its own website', () => {
  it('shows the address and asks the shell to open that service’s page', async () => {
    const core = fakeCore({ service: gardenWaste, open_council_page: null });
    render(Service, { code: 'garden_waste_subscription' });
    expect(await screen.findByText('https://www.durham.gov.uk/gardenwaste')).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: /Open the council's website/ }));
    expect(core.argsOf('open_council_page')).toEqual([{ code: 'garden_waste_subscription' }]);
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('says so when the browser cannot be opened', async () => {
    fakeCore({
      service: gardenWaste,
      open_council_page: () => {
        throw refusal('internal', 'Your web browser could not be opened. The page is at https://www.durham.gov.uk/gardenwaste');
      },
    });
    render(Service, { code: 'garden_waste_subscription' });
    await fireEvent.click(await screen.findByRole('button', { name: /Open the council's website/ }));
    expect(await screen.findByRole('status')).toHaveTextContent('Your web browser could not be opened');
  });
});
