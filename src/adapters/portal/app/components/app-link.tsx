import type { MouseEvent, ReactNode } from 'react';
import { Link } from '@fluentui/react-components';
import { navigate } from './navigation.js';

/** A Fluent link that navigates inside the portal without a page load (href from `links`). */
export function AppLink(props: { href: string; children: ReactNode; testId?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return (
    <Link href={props.href} onClick={onClick} data-testid={props.testId}>
      {props.children}
    </Link>
  );
}
