def firm(request):
    return {"firm": getattr(request, "firm", None), "membership": getattr(request, "membership", None)}
