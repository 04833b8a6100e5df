import { Body1 } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import { AppLink } from '../../components/app-link.js';
import { PageHeader } from '../../components/page-header.js';
import { links } from '../../routes.js';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <Body1>{t('notFound.body')}</Body1> <AppLink href={links.home()}>{t('notFound.home')}</AppLink>
    </>
  );
}
