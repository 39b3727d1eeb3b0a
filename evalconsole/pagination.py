from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


def paginated(request, queryset, serializer_class, *, view=None):
    """One page of `queryset`, in DRF's {count, next, previous, results} envelope.

    A view that answers with this sets `pagination_class = Pagination`, so the OpenAPI schema
    shows the envelope and the `page` and `page_size` parameters.
    """
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
