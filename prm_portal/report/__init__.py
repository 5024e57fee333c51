from . import prm_resource_report
