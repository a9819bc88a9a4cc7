def notice_bar(request):
    """The scrolling notice titles and the bell's unread count for signed-in staff (PLT-10).

    Lazy: nothing is queried unless the page renders the bar, and then one query serves both.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from steward.notices.services import NoticeBar

    return {"notice_bar": NoticeBar(user)}
