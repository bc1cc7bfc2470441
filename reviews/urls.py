"""Pages of this app (mounted under /reviews/)."""

from django.urls import include, path

from .views import appeals, case, dashboard, decision, irr, peer_to_peer, queues, referrals, stays

app_name = "reviews"
urlpatterns = [
    path("queue/", queues.nurse_queue, name="nurse_queue"),
    path("queue/claim-next/", queues.claim_next, name="claim_next"),
    path("queue/reassign/", queues.bulk_reassign, name="bulk_reassign"),
    path("physician/", queues.physician_queue, name="physician_queue"),
    path("concurrent/", stays.concurrent_queue, name="concurrent_queue"),
    path("stays/<int:stay_id>/", stays.stay_page, name="stay"),
    path("stays/<int:stay_id>/approve-days/", stays.stay_act, {"name": "approve"}, name="stay_approve_days"),
    path("stays/<int:stay_id>/route/", stays.stay_act, {"name": "route"}, name="stay_route"),
    path("stays/<int:stay_id>/discharge/", stays.stay_act, {"name": "discharge"}, name="stay_discharge"),
    path("stays/<int:stay_id>/note/", stays.stay_act, {"name": "note"}, name="stay_note"),
    path("referrals/", referrals.referral_queue, name="referral_queue"),
    path("cases/<uuid:case_id>/", case.review, name="case"),
    path("cases/<uuid:case_id>/redirection/", referrals.act, {"name": "redirection_offer"}, name="redirection_offer"),
    path(
        "cases/<uuid:case_id>/approve-out-of-network/",
        referrals.act,
        {"name": "referral_approve_out_of_network"},
        name="approve_out_of_network",
    ),
    path("cases/<uuid:case_id>/decision/", decision.decision_detail, name="decision"),
    path("cases/<uuid:case_id>/worksheet/", case.worksheet_post, name="worksheet"),
    path("cases/<uuid:case_id>/claim/", case.act, {"name": "claim"}, name="claim"),
    path("cases/<uuid:case_id>/reassign/", case.act, {"name": "assign"}, name="reassign"),
    path("cases/<uuid:case_id>/note/", case.act, {"name": "note"}, name="note"),
    path("cases/<uuid:case_id>/pend/", case.act, {"name": "pend"}, name="pend"),
    path("cases/<uuid:case_id>/approve/", case.act, {"name": "approve"}, name="approve"),
    path("cases/<uuid:case_id>/route/", case.act, {"name": "route"}, name="route"),
    path("cases/<uuid:case_id>/deny/", case.act, {"name": "deny"}, name="deny"),
    path("cases/<uuid:case_id>/partially-approve/", case.act, {"name": "partial"}, name="partially_approve"),
    path("cases/<uuid:case_id>/revise/", case.act, {"name": "revise"}, name="revise"),
    path("cases/<uuid:case_id>/peer-to-peer/", case.act, {"name": "offer"}, name="offer_talk"),
    path("appeals/", appeals.appeal_queue, name="appeals"),
    path("appeals/<int:appeal_id>/", appeals.appeal_detail, name="appeal"),
    path("appeals/<int:appeal_id>/decide/", appeals.appeal_decide_view, name="appeal_decide"),
    path("peer-to-peer/", peer_to_peer.talk_list, name="peer_to_peer"),
    path("peer-to-peer/<int:talk_id>/schedule/", peer_to_peer.act, {"name": "schedule"}, name="talk_schedule"),
    path("peer-to-peer/<int:talk_id>/attempt/", peer_to_peer.act, {"name": "attempt"}, name="talk_attempt"),
    path("peer-to-peer/<int:talk_id>/complete/", peer_to_peer.act, {"name": "complete"}, name="talk_complete"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("reliability/", irr.exercises, name="irr_exercises"),
    path("reliability/<int:exercise_id>/report/", irr.report, name="irr_report"),
    path("reliability/mine/", irr.my_exercises, name="irr_mine"),
    path("reliability/mine/<int:assignment_id>/", irr.take, name="irr_take"),
    path("", include("reviews.urls_clocks")),
]
