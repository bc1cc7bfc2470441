"""PHI read in the admin is logged like any other read (issue 12, item 6): the list pages,
the change (and history and delete) pages, and the member search behind autocomplete
fields each write access-log rows with `how = admin` and the admin path.

An admin of a model that shows PHI mixes in `PhiReadLoggedAdmin` and says, with
`phi_path`, which object a row shows: "" for the row itself (a member, a case), or the
attribute path to it ("case", "member", "letter"). `tests/um_portal/test_admin_phi_reads.py`
walks every registered admin whose model reaches a member or a case and fails if a page
of it logs nothing.
"""

from ..models import AccessLog
from .log import access_log_record, access_log_record_many

# AutocompleteJsonView's page size (django.contrib.admin.views.autocomplete).
AUTOCOMPLETE_PAGE = 20


class PhiReadLoggedAdmin:
    phi_path = ""

    def phi_objects(self, row) -> list:
        target = row
        for step in filter(None, self.phi_path.split(".")):
            target = getattr(target, step, None)
            if target is None:
                return []
        return [target]

    def _phi_log(self, request, rows) -> None:
        objs = [obj for row in rows for obj in self.phi_objects(row)]
        access_log_record_many(user=request.user, objs=objs, how=AccessLog.How.ADMIN, request=request)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        self._phi_log(request, changelist.result_list)
        return changelist

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            for target in self.phi_objects(obj):
                access_log_record(user=request.user, obj=target, how=AccessLog.How.ADMIN, request=request)
        return obj

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            # The search behind another admin's autocomplete field: its first page of names.
            self._phi_log(request, queryset[:AUTOCOMPLETE_PAGE])
        return queryset, may_have_duplicates
