"""The JSON API under /api/v1/: one NinjaAPI, routers from the apps."""

from zoufang.accounts.api import TokenAuth
from zoufang.accounts.api import router as auth_router
from zoufang.assessment.api import router as assessment_router
from zoufang.callbacks.api import router as callbacks_router
from zoufang.campaigns.api import router as campaigns_router
from zoufang.cases.api import router as cases_router
from zoufang.core.apierrors import DocumentedAPI
from zoufang.documents.api import router as documents_router
from zoufang.documents.summary_api import router as summaries_router
from zoufang.exemplars.api import router as exemplars_router
from zoufang.forms.api import router as forms_router
from zoufang.integrity.api import router as integrity_router
from zoufang.jobs.api import router as jobs_router
from zoufang.oversight.api import router as oversight_router
from zoufang.planning.api import router as planning_router
from zoufang.ratings.api import router as ratings_router
from zoufang.registry.api import router as registry_router
from zoufang.visits.api import router as visits_router

api = DocumentedAPI(
    title="zoufang API",
    version="1",
    description="走访平台接口：区划、单位、干部、走访对象。除取得令牌外，均需 `Authorization: Bearer <token>`。",
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/auth/", auth_router)
api.add_router("/", registry_router)
api.add_router("/", visits_router)
api.add_router("/", forms_router)
api.add_router("/cases/", cases_router)
api.add_router("/plan/", planning_router)
api.add_router("/oversight/", oversight_router)
api.add_router("/callbacks/", callbacks_router)
api.add_router("/assessment/", assessment_router)
api.add_router("/integrity/", integrity_router)
api.add_router("/documents/", documents_router)
api.add_router("/summaries/", summaries_router)
api.add_router("/exemplars/", exemplars_router)
api.add_router("/ratings/", ratings_router)
api.add_router("/jobs/", jobs_router)
api.add_router("/campaigns/", campaigns_router)
