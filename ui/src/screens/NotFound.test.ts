// Page not found: says so and links to the start.
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import NotFound from './NotFound.svelte';

describe('NotFound', () => {
  it('says the page was not found and links home', () => {
    render(NotFound, { props: { path: 'nowhere/at/all' } });
    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toHaveAttribute('id', 'page-title');
    expect(screen.getByText(/nowhere\/at\/all/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the start' })).toHaveAttribute('href', '#/');
  });
});
