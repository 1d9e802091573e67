"""The job that generates a big batch of a campaign's codes, a chunk per transaction: each chunk is
redeemable as soon as it commits."""

from __future__ import annotations

from perks.errors import NotFound
from perks.jobs.runner import Cancelled, Step, Work, register
from perks.loyalty.campaigns import service as campaigns
from perks.loyalty.coupons import service as coupons
from perks.loyalty.coupons.generator import parse_format


class GenerateCodes:
    async def step(self, work: Work) -> Step:
        job = work.job
        campaign_id = str(job.params["campaign_id"])
        try:
            # Codes are written only while their campaign's row is held (see CouponCode).
            await campaigns.get_campaign(work.session, work.ctx, campaign_id, for_update=True)
        except NotFound:
            raise Cancelled("The campaign was deleted") from None
        total = job.total or 0
        count = min(work.settings.codes_job_chunk, total - job.position)
        code_format = parse_format(job.params["code_config"])
        await coupons.issue_generated(work.session, work.ctx, campaign_id, code_format, count)
        return Step(consumed=count, done=count, finished=job.position + count >= total)


register(coupons.CODES_JOB, GenerateCodes())
